import { describe, expect, it } from "vitest";
import { decodeEntities, decodeText, htmlToText, KnowledgeSourceError, parseQaCsv } from "./extract";

const failureKey = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof KnowledgeSourceError) return error.text.key;
    throw error;
  }
  return null;
};

describe("parseQaCsv", () => {
  it("[csv] reads question and answer columns by name, any case, in any order, skipping incomplete rows", () => {
    const csv =
      'id,Answer,QUESTION\n1,"Yes, within 5 km.",Do you deliver?\n2,,Empty answer?\n3,"Line one\nline two",Two lines?\n';
    expect(parseQaCsv(csv)).toEqual([
      { question: "Do you deliver?", answer: "Yes, within 5 km." },
      { question: "Two lines?", answer: "Line one\nline two" },
    ]);
  });

  it("[csv] takes semicolons and tabs, Spanish and Portuguese headers, a byte order mark", () => {
    expect(parseQaCsv("\uFEFFpregunta;respuesta\n¿Abren el domingo?;No.\n")).toEqual([
      { question: "¿Abren el domingo?", answer: "No." },
    ]);
    expect(parseQaCsv("Pergunta\tResposta\nEntregam?\tSim.\n")).toEqual([{ question: "Entregam?", answer: "Sim." }]);
  });

  it("[csv] refuses a CSV without the columns, without rows, or that cannot be parsed", () => {
    expect(failureKey(() => parseQaCsv("name,price\ncake,45\n"))).toBe("knowledgeUi.failure.csvColumns");
    expect(failureKey(() => parseQaCsv("question,answer\n"))).toBe("knowledgeUi.failure.csvEmpty");
    expect(failureKey(() => parseQaCsv('question,answer\n"unclosed,quote\n'))).toBe("knowledgeUi.failure.csvInvalid");
  });
});

describe("htmlToText", () => {
  it("[html] keeps headings as Markdown headings, lists as lines, drops scripts, styles and the head", () => {
    const html = `<!doctype html><html><head><title>Bakery &amp; Café</title><style>h1{color:red}</style></head>
      <body><nav><a href="/">Home</a></nav><h1>Opening <em>hours</em></h1><p>Mon&ndash;Fri 8&nbsp;to&nbsp;18.</p>
      <!-- a comment --><script>var secret = "x";</script>
      <h2>Prices</h2><table><tr><th>Cake</th><th>Price</th></tr><tr><td>Large</td><td>45.00 &euro;</td></tr></table>
      <ul><li>Closed on Sunday</li><li>Cards accepted</li></ul><p>Line<br>break &#233;&#x00e9;</p></body></html>`;
    const { title, text } = htmlToText(html);
    expect(title).toBe("Bakery & Café");
    expect(text).toBe(
      [
        "Home",
        "",
        "# Opening hours",
        "",
        "Mon–Fri 8 to 18.",
        "",
        "## Prices",
        "",
        "Cake | Price",
        "Large | 45.00 €",
        "",
        "- Closed on Sunday",
        "- Cards accepted",
        "",
        "Line",
        "break éé",
      ].join("\n"),
    );
  });

  it("[html] decodes entities, leaving unknown ones and invalid code points harmless", () => {
    expect(decodeEntities("&lt;b&gt; &unknown; &#0; &#xD800; &#128512;")).toBe("<b> &unknown;   😀");
  });
});

describe("decodeText", () => {
  it("[text] reads UTF-8, else Windows-1252", () => {
    expect(decodeText(new TextEncoder().encode("Café"))).toBe("Café");
    expect(decodeText(Uint8Array.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80]))).toBe("Café €");
  });
});
