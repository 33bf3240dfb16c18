/**
 * Values that a regular expression alone cannot tell from ordinary numbers: card numbers (issuer prefix, length
 * and the Luhn check), IBANs (mod-97), US social security numbers (the ranges never issued), phone numbers (digit
 * counts), and PEM private keys (a block that may be cut short). Each candidate regex matches a bounded width
 * with bounded backtracking, so scanning stays linear in the text's length; the checks run on candidates only.
 */

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Digits in `text`. */
function countDigits(text: string): number {
  let digits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}

/**
 * Issuer prefixes and lengths of the card networks in use (Visa, Mastercard, Amex, Diners, JCB, Discover,
 * UnionPay, Maestro). Millisecond and microsecond epoch timestamps start with 1 and match none of them.
 */
function issuerKnown(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  switch (digits[0]) {
    case '4':
      return length === 13 || length === 16 || length === 19;
    case '2':
      return length === 16 && four >= 2221 && four <= 2720;
    case '3':
      if (two === 34 || two === 37) return length === 15;
      if (two === 36 || two === 38 || (two === 30 && four <= 3059)) return length >= 14 && length <= 19;
      return two === 35 && four >= 3528 && four <= 3589 && length >= 16 && length <= 19;
    case '5':
      if (two >= 51 && two <= 55) return length === 16;
      return (two === 50 || two >= 56) && length >= 12 && length <= 19;
    case '6':
      return length >= 12 && length <= 19;
    default:
      return false;
  }
}

const DIGIT_GROUP = /\d+/g;

/**
 * 12 to 19 digits, single spaces or dashes between them, not inside a longer word, number or dotted version.
 * The separator is optional but can only match a separator character, so each text has one way to match.
 */
export const CARD_CANDIDATE = /(?<![\w.-])\d(?:[ -]?\d){11,18}(?![\w]|[.,]\d)/g;

function isCardNumber(digits: string): boolean {
  return digits.length >= 12 && digits.length <= 19 && issuerKnown(digits) && luhnValid(digits);
}

/**
 * The candidate with each card number in it replaced. A candidate may join a card to the numbers written next to
 * it (`order 12 4111 1111 1111 1111`), so runs of whole digit groups are tried, longest first from the left.
 * Cards are written in groups of three digits or more (4-4-4-4, 4-6-5, 4-4-4-4-3): a list of small numbers
 * (`1 2 3 4 ...`) has many Luhn-valid windows and none of them is a card.
 */
export function replaceCardNumbers(candidate: string, replacement: string): string {
  const groups: { start: number; end: number }[] = [];
  DIGIT_GROUP.lastIndex = 0;
  let found: RegExpExecArray | null;
  while ((found = DIGIT_GROUP.exec(candidate)) !== null)
    groups.push({ start: found.index, end: DIGIT_GROUP.lastIndex });
  let out = '';
  let copied = 0;
  let index = 0;
  while (index < groups.length) {
    let matched = 0;
    let digits = '';
    for (let last = index; last < groups.length && digits.length < 19; last++) {
      const group = groups[last] as { start: number; end: number };
      if (group.end - group.start < 3 && groups.length > 1) break;
      digits += candidate.slice(group.start, group.end);
      if (isCardNumber(digits)) matched = last + 1;
    }
    if (matched === 0) {
      index++;
      continue;
    }
    out += candidate.slice(copied, (groups[index] as { start: number }).start) + replacement;
    copied = (groups[matched - 1] as { end: number }).end;
    index = matched;
  }
  return copied === 0 ? candidate : out + candidate.slice(copied);
}

/** Country code, check digits, then 11 to 30 letters or digits, optionally in groups of four. */
export const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g;

export function isIban(candidate: string): boolean {
  const compact = candidate.replaceAll(' ', '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  // Letters count as two digits (A = 10 ... Z = 35); the remainder is taken piecewise to stay in integers.
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index++) {
    const code = rearranged.charCodeAt(index);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** `123-45-6789` or `123 45 6789` (one separator, the same twice), not inside a longer id. */
export const SSN_CANDIDATE = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])/g;

/** Area 000, 666 and 900-999, group 00 and serial 0000 are never issued: such numbers are not SSNs. */
export function isSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/**
 * Phone numbers in the forms people write them, chosen so that dates, versions, amounts and ids do not match:
 * - international: `+` and 8 to 15 digits (E.164) with spaces, dots, dashes or an area code in parentheses;
 * - North American: `(415) 555-2671`, `415-555-2671`, `415.555.2671` (the same separator twice);
 * - after a word that names a phone (`phone: 612345678`, `tel. 030 1234567`): 7 to 15 digits (NAMED_PHONE).
 * The international form takes a bounded run of phone characters and is checked afterwards (isPhoneNumber).
 */
export const PHONE_CANDIDATE =
  /(?<![\w+])\+\d[\d ().-]{6,22}\d(?![\w]|[.,]\d)|(?<![\w.+-])(?:\(\d{3}\) ?\d{3}[-.]\d{4}|\d{3}([-.])\d{3}\1\d{4})(?![\w-]|[.,]\d)/g;

/** The words before a named phone number, up to the number (tested on the few characters before a run). */
const NAMED_PHONE =
  /\b(?:phone|telephone|tel|mobile|cell|whatsapp|fax)(?: ?(?:number|no\.?|#))?\.?\s{0,3}[:=#]?\s{0,3}$/i;

/**
 * Whether the words before `index` name a phone. Looks back only when the nearest character that is not a space
 * could end such words (a letter, `:`, `#`, `=` or `.`): a URL's `/` before its IP address is answered at once.
 */
function namedPhoneBefore(text: string, index: number): boolean {
  let at = index - 1;
  while (at >= 0 && at > index - 4 && text.charCodeAt(at) === 32) at--;
  if (at < 0 || !/[A-Za-z:#=.]/.test(text[at] ?? '')) return false;
  return NAMED_PHONE.test(text.slice(Math.max(0, index - 32), index));
}

/**
 * A candidate of the international or named form: 7 (named) or 8 to 15 digits, groups separated by one space,
 * dot or dash (or an area code in parentheses), and at most one one-digit group after the country code
 * (`+33 6 12 34 56 78`), which keeps dotted versions and lists of small numbers out.
 */
export function isPhoneNumber(candidate: string, named: boolean): boolean {
  const digits = countDigits(candidate);
  if (digits < (named ? 7 : 8) || digits > 15) return false;
  const compact = candidate.replaceAll(' (', '(').replaceAll(') ', ')');
  if (/[^\d+][^\d]/.test(compact)) return false;
  const open = compact.indexOf('(');
  const close = compact.indexOf(')');
  if (
    open !== compact.lastIndexOf('(') ||
    close !== compact.lastIndexOf(')') ||
    (open === -1) !== (close === -1) ||
    open > close
  )
    return false;
  const groups = compact.split(/[^\d]+/).filter((group) => group !== '');
  return groups.slice(1).filter((group) => group.length === 1).length <= 1;
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,60}PRIVATE KEY[A-Z0-9 ]{0,20})-----/g;

/**
 * Replaces each PEM private-key block by `replacement`. A block whose END line is missing (cut by a length limit,
 * or pasted in part) is replaced to the end of the text: what remains of a key is still the key. Scans with
 * indexOf rather than a lazy `[\s\S]*?`, which would rescan the rest of the text for every BEGIN line.
 */
export function replacePemBlocks(text: string, replacement: string): string {
  PEM_BEGIN.lastIndex = 0;
  let out = '';
  let from = 0;
  let match: RegExpExecArray | null;
  while ((match = PEM_BEGIN.exec(text)) !== null) {
    const endLine = `-----END ${match[1] ?? ''}-----`;
    const end = text.indexOf(endLine, PEM_BEGIN.lastIndex);
    out += text.slice(from, match.index) + replacement;
    if (end === -1) return out;
    from = end + endLine.length;
    PEM_BEGIN.lastIndex = from;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A run of digits and the separators written between them, with a `+` or `(` before it: every card number, SSN
 * and unnamed phone number lies inside one. The run is greedy and may only give characters back to end on a
 * digit, and a failed attempt starts on a digit that no later digit follows, so the scan is linear.
 */
const NUMBER_RUN = /[+(]?\d[\d ().-]{5,}\d/g;

/**
 * Card numbers, SSNs and (when `phones`) phone numbers in `text` replaced by `replacement`. The rules run only
 * on the number runs long enough for them, with the characters around each run their lookarounds read: most
 * values hold no run, or one (an id, a date) that no rule needs to look at.
 */
export function replaceNumbers(text: string, replacement: string, phones: boolean): string {
  NUMBER_RUN.lastIndex = 0;
  let out = '';
  let copied = 0;
  let run: RegExpExecArray | null;
  while ((run = NUMBER_RUN.exec(text)) !== null) {
    const chunk = run[0];
    const digits = countDigits(chunk);
    const separators = chunk.length - digits;
    if (digits < 7) continue;
    if (phones && namedPhoneBefore(text, run.index) && isPhoneNumber(chunk, true)) {
      out += text.slice(copied, run.index) + replacement;
      copied = NUMBER_RUN.lastIndex;
      continue;
    }
    // What each rule needs, checked before any slicing: ids and dates in runs (`2026-000184`) need no rule.
    const card = digits >= 12;
    const ssn = digits >= 9 && separators >= 2;
    const phone = phones && digits >= 8 && (chunk.startsWith('+') || (digits >= 10 && separators >= 2));
    if (!card && !ssn && !phone) continue;
    const runEnd = NUMBER_RUN.lastIndex;
    const left = run.index > 0 ? run.index - 1 : 0;
    const right = Math.min(text.length, runEnd + 2);
    const around = text.slice(left, right);
    let clean = around;
    if (card) clean = clean.replace(CARD_CANDIDATE, (match) => replaceCardNumbers(match, replacement));
    if (ssn)
      clean = clean.replace(SSN_CANDIDATE, (match, area: string, _separator: string, group: string, serial: string) =>
        isSsn(area, group, serial) ? replacement : match,
      );
    if (phone)
      clean = clean.replace(PHONE_CANDIDATE, (match) =>
        match.startsWith('+') && !isPhoneNumber(match, false) ? match : replacement,
      );
    if (clean === around) continue;
    // The lookarounds only read the characters around the run; they are copied from the text, not from `clean`.
    const before = run.index - left;
    const after = right - runEnd;
    const kept = clean.startsWith(text.slice(left, run.index)) && clean.endsWith(text.slice(runEnd, right));
    const middle = kept ? clean.slice(before, clean.length - after) : replacement;
    out += text.slice(copied, run.index) + middle;
    copied = runEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
