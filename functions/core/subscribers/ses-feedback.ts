/**
 * What SES reports about a mail after sending it, as the subscription use cases act on it: bounces and complaints,
 * one event per recipient. Read from SES's notifications at the edge (functions/handlers/ses-notification.ts).
 */

export type FeedbackKind = 'permanent-bounce' | 'transient-bounce' | 'complaint';

/** What one notification says about one recipient. */
export interface FeedbackEvent {
  kind: FeedbackKind;
  /** The recipient as SES reported it, display name removed; not normalised (see email-address.ts). */
  address: string;
  /** When the bounce or complaint happened (ISO 8601, UTC). */
  at: string;
  /** For the operator: `Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown`, `complaint: abuse`. */
  detail: string;
  /** The SES message id of the mail that caused it. */
  messageId?: string;
}
