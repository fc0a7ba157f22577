/**
 * One recipient's digest message: substitution into the compiled mail and one composeMessage call. Kept apart from
 * digest-mail.ts (the compiler) so the sender function, which does only this, never loads MJML.
 */

import { buildListMail, type MailTo } from './list-mail.ts';
import type { OutgoingMessage } from './outgoing-message.ts';
import type { CompiledMail } from './personalize.ts';

/**
 * One recipient's digest: substitution and one composeMessage call, nothing else per recipient.
 * @example
 * await mailer.send(await buildDigestMessage({ site, compiled, to: { address: 'ada@example.org' },
 *   unsubscribeUrl: unsubscribeUrl({ site, tokenKey }, key), now }));
 */
export const buildDigestMessage = (
  input: MailTo & {
    /** The digest as compiled once (or as stored with the digest record): its parts and subject. */
    compiled: CompiledMail & { subject: string };
    unsubscribeUrl: string;
  },
): Promise<OutgoingMessage> => buildListMail({ ...input, kind: 'the digest', subject: input.compiled.subject });
