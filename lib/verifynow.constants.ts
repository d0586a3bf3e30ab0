/**
 * Injection token of the `HttpService` (from `@nestjs/axios`) the module sends
 * every upstream request through. Inject it to add axios interceptors, e.g. for
 * tracing; it is the module's own client, not the application's.
 */
export const VERIFYNOW_HTTP_SERVICE = 'VERIFYNOW:HTTP_SERVICE';

/** Injection token of the options given to `forRoot()` / `forRootAsync()`, as given. */
export const VERIFYNOW_MODULE_OPTIONS = 'VERIFYNOW:MODULE_OPTIONS';
