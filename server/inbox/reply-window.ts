/**
 * How long after a contact's last message a person may still answer a contact who opted out:
 * WhatsApp's own customer-service window. Later, a message would be one we start, which an
 * opt-out forbids. Client-safe: the composer says it before sending.
 */
export const OPTED_OUT_REPLY_HOURS = 24;
