/** How many LID ↔ phone links one connection remembers. */
const REMEMBERED_LINKS = 20_000;

/**
 * The LID ↔ phone links Baileys reports (`chats.phoneNumberShare`, a contact's `lid` beside its
 * phone `id`), bounded: an inbound message from either side carries the other as its
 * `identity`, so ingest links the two into one contact.
 */
export function createLidPhoneLinks(max = REMEMBERED_LINKS) {
  const links = new Map<string, string>();
  const set = (key: string, value: string) => {
    links.delete(key);
    links.set(key, value);
    if (links.size > max) links.delete(links.keys().next().value!);
  };
  return {
    link(lid: string | null | undefined, phoneJid: string | null | undefined) {
      if (!lid?.endsWith("@lid") || !phoneJid?.endsWith("@s.whatsapp.net")) return;
      set(lid, phoneJid);
      set(phoneJid, lid);
    },
    /** The other identity of a sender (`…@lid` ↔ `…@s.whatsapp.net`), when known. */
    identityOf(jid: string): { lid?: string; phone?: string } | undefined {
      const other = links.get(jid);
      if (!other) return undefined;
      return jid.endsWith("@lid") ? { lid: jid, phone: other } : { lid: other, phone: jid };
    },
  };
}
