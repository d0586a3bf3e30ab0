import { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';

/** Keeps every log line in memory, so tests can read what the module logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.capture('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.capture('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.capture('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.capture('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.capture('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.capture('fatal', message, rest);
  }

  /** Everything logged, as one string. */
  text(): string {
    return this.lines.join('\n');
  }

  private capture(level: string, message: unknown, rest: unknown[]): void {
    const parts = [message, ...rest].map((part) =>
      typeof part === 'string' ? part : inspect(part, { depth: 6 }),
    );
    this.lines.push(`${level} ${parts.join(' ')}`);
  }
}
