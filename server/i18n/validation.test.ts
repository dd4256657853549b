import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZOrgSettings } from "~/server/settings/schema";
import { domainText, serverText } from "./domain";
import { LOCALES, type TLocale } from "./locales";
import { describeIssue, describeIssues, describeRoleRefusal, errorTranslator, localFieldLabel } from "./validation";

/** The issues zod reports for `input` against `schema`. */
function issuesOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected a refusal");
  return result.error.issues;
}

/** The one message for `input` against `schema`, in `locale`. */
function describe1(locale: TLocale, schema: z.ZodType, input: unknown): string {
  const [issue] = issuesOf(schema, input);
  return describeIssue(errorTranslator(locale), issue!);
}

const user = z.object({
  name: z.string().min(1),
  password: z.string().min(8).max(20),
  email: z.email(),
  url: z.url(),
  id: z.uuid(),
  role: z.enum(["admin", "agent"]),
  tags: z.array(z.string()).min(1).max(2),
  priority: z.number().int().min(0).max(100),
  code: z.string().length(6),
  handbackMinutes: z.number().multipleOf(5),
  createdAfter: z.number().gt(0),
});

const EXPECTED: Record<string, [schemaPath: string, input: unknown, en: string, es: string, ptBR: string]> = {
  required: ["name", undefined, "Name is required.", "Nombre es obligatorio.", "Nome é obrigatório."],
  invalidType: ["priority", "ten", "Priority is not valid.", "Prioridad no es válido.", "Prioridade não é válido."],
  empty: ["name", "", "Name cannot be empty.", "Nombre no puede estar vacío.", "Nome não pode ficar vazio."],
  tooShort: [
    "password",
    "short",
    "Password must be at least 8 characters long.",
    "Contraseña debe tener al menos 8 caracteres.",
    "Senha precisa ter pelo menos 8 caracteres.",
  ],
  tooLong: [
    "password",
    "x".repeat(21),
    "Password must be at most 20 characters long.",
    "Contraseña debe tener como máximo 20 caracteres.",
    "Senha pode ter no máximo 20 caracteres.",
  ],
  exact: [
    "code",
    "123",
    "Code must be exactly 6 characters long.",
    "Código debe tener exactamente 6 caracteres.",
    "Código precisa ter exatamente 6 caracteres.",
  ],
  arrayTooShort: [
    "tags",
    [],
    "Tags needs at least one item.",
    "Etiquetas necesita al menos un elemento.",
    "Etiquetas precisa de pelo menos um item.",
  ],
  arrayTooLong: [
    "tags",
    ["a", "b", "c"],
    "Tags can have at most 2 items.",
    "Etiquetas puede tener como máximo 2 elementos.",
    "Etiquetas pode ter no máximo 2 itens.",
  ],
  numberTooSmall: [
    "priority",
    -1,
    "Priority must be 0 or more.",
    "Prioridad debe ser 0 o más.",
    "Prioridade precisa ser 0 ou mais.",
  ],
  numberTooBig: [
    "priority",
    1000,
    "Priority must be 100 or less.",
    "Prioridad debe ser 100 o menos.",
    "Prioridade precisa ser 100 ou menos.",
  ],
  numberStrict: [
    "createdAfter",
    0,
    "Created after must be more than 0.",
    "Created after debe ser mayor que 0.",
    "Created after precisa ser maior que 0.",
  ],
  email: [
    "email",
    "nope",
    "Email must be an email address, like name@example.com.",
    "Correo electrónico debe ser un correo electrónico, como nombre@ejemplo.com.",
    "E-mail precisa ser um e-mail, como nome@exemplo.com.",
  ],
  url: [
    "url",
    "nope",
    "URL must be a full web address, starting with https://.",
    "URL debe ser una dirección web completa, que empiece por https://.",
    "URL precisa ser um endereço web completo, começando com https://.",
  ],
  uuid: ["id", "nope", "ID is not a valid ID.", "ID no es un ID válido.", "ID não é um ID válido."],
  enum: [
    "role",
    "owner",
    "Choose one of the options for Role.",
    "Elige una de las opciones de Rol.",
    "Escolha uma das opções de Função.",
  ],
  multipleOf: [
    "handbackMinutes",
    7,
    "Hand back to the bot after must be a multiple of 5.",
    "Devolver al bot después de debe ser múltiplo de 5.",
    "Devolver ao bot depois de precisa ser múltiplo de 5.",
  ],
};

describe("validation messages", () => {
  for (const [name, [field, input, ...messages]] of Object.entries(EXPECTED)) {
    it.each(LOCALES.map((locale, index) => [locale, messages[index]!] as const))(
      `${name}, in %s`,
      (locale, message) => {
        const schema = user.pick({ [field]: true } as Record<keyof typeof user.shape, true>);
        expect(describe1(locale, schema, { [field]: input })).toBe(message);
      },
    );
  }

  it("keeps the schema's own message (custom, or a message given to a check), in the reader's language when the catalogue has it", () => {
    const schema = z.object({
      name: z.string().min(1, "Enter a name"),
      end: z.string().refine(() => false, "The end must be after the start"),
      other: z.string().min(1, "A message the catalogue does not have"),
    });
    const t = errorTranslator("es");
    expect(issuesOf(schema, { name: "", end: "x", other: "" }).map((issue) => describeIssue(t, issue))).toEqual([
      "Ingresa un nombre",
      "El fin debe ser posterior al inicio",
      "A message the catalogue does not have",
    ]);
  });

  it("renders a schema's message built from values (a custom issue carrying its key) in the reader's language", () => {
    const canned = z.object({ body: z.string() }).superRefine((_value, context) => {
      const text = serverText("inbox.unknownVariables", { count: 2, names: "{{a}}, {{b}}" });
      context.addIssue({ code: "custom", path: ["body"], message: domainText("en", text), params: { text } });
    });
    const [issue] = issuesOf(canned, { body: "x" });
    expect(issue!.message).toBe("Unknown variables: {{a}}, {{b}}");
    expect(describeIssue(errorTranslator("es"), issue!)).toBe("Variables desconocidas: {{a}}, {{b}}");
    expect(describeIssue(errorTranslator("pt-BR"), issue!)).toBe("Variáveis desconhecidas: {{a}}, {{b}}");
  });

  it("lists every issue in one line, naming each field, a schema's message after its field's label", () => {
    const schema = z.object({ name: z.string().min(1, "Enter a name"), email: z.email() });
    expect(describeIssues(errorTranslator("pt-BR"), issuesOf(schema, { name: "", email: "x" }))).toBe(
      "Verifique: Nome: Digite um nome; E-mail precisa ser um e-mail, como nome@exemplo.com.",
    );
  });

  it("names an opening hour by its day and place, never by its path", () => {
    const issues = issuesOf(ZOrgSettings, {
      businessHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [{ start: "9", end: "17:00" }] },
    });
    expect(issues[0]?.path).toEqual(["businessHours", "sun", 0, "start"]);
    expect(localFieldLabel(errorTranslator("en"), issues[0]!.path)).toBe("Sunday, opening 1, start");
    expect(localFieldLabel(errorTranslator("es"), ["businessHours", "mon", 1, "end"])).toBe("Lunes, horario 2, fin");
    expect(localFieldLabel(errorTranslator("pt-BR"), ["businessHours", "wed"])).toBe("Quarta-feira");
    expect(describeIssues(errorTranslator("en"), issues)).toBe(
      "Please check: Sunday, opening 1, start: Use HH:MM, 24-hour; Sunday, opening 1, end: The end must be after the start",
    );
  });

  it.each([
    [["contact", "name"], "Name"],
    [["contact", "tags", 3], "Tags"],
    [["profile", "language"], "Language"],
    [["settings", "someNewField"], "Some new field"],
    [[], "The input"],
  ])("labels the path %j as %s", (path, label) => {
    expect(localFieldLabel(errorTranslator("en"), path)).toBe(label);
  });

  it("never shows a dotted path, in any language", () => {
    const schema = z.object({ profile: z.object({ language: z.enum(["en", "es"]) }) });
    for (const locale of LOCALES) {
      const message = describeIssues(errorTranslator(locale), issuesOf(schema, { profile: { language: "xx" } }));
      expect(message).not.toMatch(/profile\.language|\w+\.\w+\.\d/);
    }
  });

  it("says which role cannot do what, in each language", () => {
    expect(describeRoleRefusal(errorTranslator("en"), "agent", "users", "write")).toBe(
      "Your role (Agent) cannot change users and settings.",
    );
    expect(describeRoleRefusal(errorTranslator("es"), "manager", "config", "read")).toBe(
      "Tu rol (Gerente) no puede ver la configuración del bot.",
    );
    expect(describeRoleRefusal(errorTranslator("pt-BR"), "agent", "inbox", "write")).toBe(
      "Sua função (Atendente) não pode alterar a caixa de entrada.",
    );
  });
});
