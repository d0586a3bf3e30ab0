import type { OtpProvider } from './otp-provider.interface';

/**
 * The upstreams the module sends through, in order of preference (`providers`):
 * a send tries them in this order, a validation goes to the one that issued the
 * verification.
 *
 * @internal
 */
export class OtpProviderChain {
  private readonly byName: ReadonlyMap<string, OtpProvider>;

  constructor(readonly inOrder: readonly OtpProvider[]) {
    if (inOrder.length === 0) {
      throw new Error('OtpProviderChain needs at least one provider.');
    }
    this.byName = new Map(inOrder.map((provider) => [provider.name, provider]));
  }

  /** The first choice. */
  get primary(): OtpProvider {
    return this.inOrder[0];
  }

  /** The provider of this name, when the chain has it. */
  named(name: string): OtpProvider | undefined {
    return this.byName.get(name);
  }
}
