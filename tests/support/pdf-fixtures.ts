/**
 * Tiny, real PDFs for tests (no PDF library): one page per entry of `pages`, each line of a page
 * a line of Helvetica text (WinAnsi: "–" and "€" work), valid cross-reference table included.
 * A line that is empty leaves a gap, which text extraction reads as a paragraph break.
 */
export function pdfBytes(
  pages: readonly (readonly string[])[],
  options: {
    title?: string;
    /** Protected by a password nobody knows (readers ask for it). */ encrypted?: boolean;
  } = {},
): Buffer {
  const objects: string[] = [];
  const add = (body: string) => {
    objects.push(body);
    return objects.length;
  };
  const catalog = add("");
  const pagesObject = add("");
  const font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const pageIds: number[] = [];
  for (const lines of pages) {
    let y = 800;
    const ops: string[] = [];
    for (const line of lines) {
      if (line !== "") ops.push(`BT /F1 12 Tf 50 ${y} Td (${pdfString(line)}) Tj ET`);
      y -= line === "" ? 30 : 16;
    }
    const stream = ops.join("\n");
    const content = add(`<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`);
    pageIds.push(
      add(
        `<< /Type /Page /Parent ${pagesObject} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObject} 0 R >>`;
  objects[pagesObject - 1] =
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`;
  const info = options.title ? add(`<< /Title (${pdfString(options.title)}) >>`) : null;
  // The standard security handler with password hashes no password matches.
  const encrypt = options.encrypted
    ? add(`<< /Filter /Standard /V 1 /R 2 /O <${"ab".repeat(32)}> /U <${"cd".repeat(32)}> /P -44 >>`)
    : null;

  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  const extra =
    (info ? ` /Info ${info} 0 R` : "") +
    (encrypt ? ` /Encrypt ${encrypt} 0 R /ID [<${"01".repeat(16)}> <${"01".repeat(16)}>]` : "");
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${extra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A PDF string literal's content in WinAnsi: escapes, "–" (0x96) and "€" (0x80). */
function pdfString(text: string): string {
  let out = "";
  for (const char of text) {
    if (char === "(" || char === ")" || char === "\\") out += `\\${char}`;
    else if (char === "–") out += "\\226";
    else if (char === "€") out += "\\200";
    else if (char.charCodeAt(0) < 256) out += char;
    else out += "?";
  }
  return out;
}
