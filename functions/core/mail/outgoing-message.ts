/** A message as SES receives it: the raw RFC 5322 bytes and the one envelope recipient. */
export interface OutgoingMessage {
  /** Envelope sender (the address alone). */
  from: string;
  /** Envelope recipient (the address alone): one recipient per message, always. */
  to: string;
  raw: Uint8Array;
}
