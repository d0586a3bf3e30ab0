import { CheckedSend } from './verihubs-sandbox.parameters';

/** The SMS text when a send brings no `template`; `$OTP` marks the code. @internal */
export const VERIHUBS_DEFAULT_TEMPLATE = 'Your OTP code is $OTP';

/** GSM characters in one SMS segment. */
const SEGMENT_LENGTH = 160;

/**
 * What the recipient reads: the SMS template (or the default) with every
 * `$OTP` replaced by the code, or for WhatsApp, whose text is a pre-approved
 * template, `WhatsApp template <name> (<lang>): <code>`.
 *
 * @internal
 */
export function renderVerihubsText(
  { template, whatsapp }: Pick<CheckedSend, 'template' | 'whatsapp'>,
  code: string,
): string {
  if (whatsapp !== undefined) {
    return `WhatsApp template ${whatsapp.templateName} (${whatsapp.langCode}): ${code}`;
  }
  return (template ?? VERIHUBS_DEFAULT_TEMPLATE).split('$OTP').join(code);
}

/** SMS segments of a text, at 160 GSM characters each; at least one. @internal */
export function smsSegmentCount(text: string): number {
  return Math.max(1, Math.ceil([...text].length / SEGMENT_LENGTH));
}
