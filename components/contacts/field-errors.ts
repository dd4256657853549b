/**
 * A failed save's messages placed where people read them: each on the field it is about
 * (`contact.phone` and `phone` both land on the phone field), and one summary for beside the
 * button: "check the fields marked above" when some were placed, plus any message about a field
 * this form does not show (its text alone, never its path), or the call's own message.
 */
export function placeFieldErrors<TField extends string>(
  described: { message: string; fieldErrors: Record<string, string> },
  fields: readonly TField[],
  checkFields: string,
): { byField: Partial<Record<TField, string>>; summary: string | null } {
  const byField: Partial<Record<TField, string>> = {};
  const unplaced: string[] = [];
  for (const [path, message] of Object.entries(described.fieldErrors)) {
    const field = fields.find((candidate) => path === candidate || path === `contact.${candidate}`);
    if (field && byField[field] === undefined) byField[field] = message;
    else unplaced.push(message);
  }
  const placed = Object.keys(byField).length > 0;
  if (!placed && unplaced.length === 0) return { byField, summary: described.message };
  return { byField, summary: [...(placed ? [checkFields] : []), ...unplaced].join(" ") };
}
