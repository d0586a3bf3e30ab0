import {
  ConfigurableModuleAsyncOptions,
  ConfigurableModuleBuilder,
  ConfigurableModuleOptionsFactory,
} from '@nestjs/common';
import { VerifyNowModuleOptions } from './interfaces/verifynow-module-options.interface';
import { VERIFYNOW_MODULE_OPTIONS } from './verifynow.constants';

/** The generated base class of `VerifyNowModule`, with `forRoot`/`forRootAsync` (Nest's `ConfigurableModuleBuilder`). */
export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<VerifyNowModuleOptions>({
  moduleName: 'VerifyNow',
  optionsInjectionToken: VERIFYNOW_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** What `VerifyNowModule.forRoot()` takes: the options, plus `isGlobal`. */
export type VerifyNowModuleForRootOptions = VerifyNowModuleOptions & { isGlobal?: boolean };

/** What `VerifyNowModule.forRootAsync()` takes: `useFactory`/`useClass`/`useExisting`, `imports`, `inject`, `isGlobal`. */
export type VerifyNowModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  VerifyNowModuleOptions,
  'create'
> & { isGlobal?: boolean };

/**
 * A class for `forRootAsync({ useClass })` / `useExisting`: its `create()` returns the options.
 *
 * @example
 * @Injectable()
 * class VerifyNowOptions implements VerifyNowOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   create() { return { customerId: this.config.get('MC_CUSTOMER_ID'), password: this.config.get('MC_PASSWORD') }; }
 * }
 */
export type VerifyNowOptionsFactory = ConfigurableModuleOptionsFactory<
  VerifyNowModuleOptions,
  'create'
>;
