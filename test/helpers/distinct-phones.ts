/**
 * Phone numbers a spec uses, kept in `into` so that its secrecy checks can
 * look for them in what must not carry one in full.
 */
export interface PhoneRegistry {
  /** A distinct valid Indian mobile number (no two tests share a pending code). */
  newPhone(): string;
  /** Records `phone` as used, and gives it back. */
  used(phone: string): string;
}

/**
 * Distinct valid Indian mobile numbers: `+91`, the spec's own five digits
 * (`prefix`, so that specs running side by side never share one), two from
 * the process id, then a counter.
 */
export function phoneRegistry(prefix: string, into: Set<string>): PhoneRegistry {
  let next = 0;
  const used = (phone: string): string => {
    into.add(phone);
    return phone;
  };
  const pid = String(process.pid % 100).padStart(2, '0');
  return {
    used,
    newPhone: () => {
      next += 1;
      return used(`+91${prefix}${pid}${String(next).padStart(3, '0')}`);
    },
  };
}
