/**
 * Verihubs, the second upstream (`verihubs` in the module's options). Every option
 * falls back to its `VERIHUBS_*` environment variable.
 */
export interface VerihubsModuleOptions {
  /** The `App-ID` header of every call. Environment: `VERIHUBS_APP_ID`. */
  appId?: string;
  /** The `API-Key` header of every call; a secret. Environment: `VERIHUBS_API_KEY`. */
  apiKey?: string;
  /**
   * Verihubs' address. Environment: `VERIHUBS_BASE_URL`.
   * @defaultValue 'https://api.verihubs.com'
   */
  baseUrl?: string;
  /**
   * Call Verihubs' own sandbox (`/sandbox` appended to every path), whose magic
   * numbers answer without sending. Environment: `VERIHUBS_USE_PROVIDER_SANDBOX`.
   * @defaultValue false
   */
  useProviderSandbox?: boolean;
  /**
   * The SMS text; `$OTP` is where the code goes. Environment: `VERIHUBS_TEMPLATE`.
   * @defaultValue 'Your verification code is $OTP. It expires soon; do not share it with anyone.'
   */
  template?: string;
  /**
   * Verihubs' `challenge` (a category a code is verified in) of sends without a
   * purpose; a send with a purpose (every step-up) gets a challenge bound to it.
   * Environment: `VERIHUBS_CHALLENGE`.
   * @defaultValue 'verifynow'
   */
  challenge?: string;
  /**
   * How long a code lives, in seconds (30 to 3600). Environment: `VERIHUBS_TIME_LIMIT_SECONDS`.
   * @defaultValue 300
   */
  timeLimitSeconds?: number;
  /** WhatsApp's pre-approved template; without it WhatsApp sends do not go to Verihubs. */
  whatsapp?: {
    /** Environment: `VERIHUBS_WHATSAPP_TEMPLATE_NAME`. */
    templateName?: string;
    /** Environment: `VERIHUBS_WHATSAPP_LANG_CODE`. @defaultValue 'id' */
    langCode?: string;
  };
  /**
   * Delivery callbacks. `url` is the public address Verihubs calls (the module adds
   * an unguessable per-send token to it); the module mounts a route at `path`
   * (by default the URL's path) that records each verification's delivery status.
   */
  callback?: {
    /** Environment: `VERIHUBS_CALLBACK_URL`. */
    url?: string;
    /** Where the route is mounted in this application, when a proxy changes the path. */
    path?: string;
  };
  /**
   * Requests started per second towards Verihubs (its account limit), by the whole
   * fleet with the Redis store, by this instance without it; 0: no cap.
   * Environment: `VERIHUBS_MAX_REQUESTS_PER_SECOND`.
   * @defaultValue 50
   */
  maxRequestsPerSecond?: number;
}
