import { describe, expect, it } from "vitest";
import { AppError } from "~/server/errors";
import { serverText } from "./domain";

describe("an AppError speaks English to logs and the caller's language to the dashboard", () => {
  it("a literal from the catalogue is found by its English text", () => {
    const error = new AppError("NOT_FOUND", "This contact no longer exists.", { phone: "Enter the phone number" });
    expect(error.message).toBe("This contact no longer exists.");
    expect(error.fieldErrors).toEqual({ phone: "Enter the phone number" });
    expect(error.localized("es")).toEqual({
      message: "Este contacto ya no existe.",
      fieldErrors: { phone: "Escribe el número de teléfono" },
    });
    expect(error.localized("pt-BR").message).toBe("Este contato não existe mais.");
  });

  it("a key with values renders each language with the values in place", () => {
    const error = new AppError("BAD_REQUEST", serverText("contacts.tooManyRows", { max: 50_000 }));
    expect(error.message).toBe("The file has more than 50,000 rows; split it into smaller files.");
    expect(error.localized("es").message).toBe(
      "El archivo tiene más de 50.000 filas; divídelo en archivos más pequeños.",
    );
    expect(error.localized("pt-BR").message).toBe("O arquivo tem mais de 50.000 linhas; divida-o em arquivos menores.");
    const owned = new AppError("FORBIDDEN", serverText("conversations.ownedBy", { owner: "Ana" }));
    expect(owned.message).toBe("Ana owns this conversation; ask them, or an admin, to change it.");
    expect(owned.localized("pt-BR").message).toBe(
      "Esta conversa é de Ana; peça a essa pessoa, ou a um administrador, para alterá-la.",
    );
  });
});
