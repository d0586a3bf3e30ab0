import { ExecutionContext } from '@nestjs/common';
import type { OtpProof, SpentProof } from './verifynow-step-up.service';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import type { VerifiedOtp } from './verified-otp.model';

/** The parts of an HTTP request the guard reads, on Express and Fastify alike. */
export interface OtpRequest {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  ip?: string;
}

/** The proof a guarded invocation accepted. @internal */
export interface ProofMark {
  /** The handler invocation that presented it first: one proof, one action. */
  invocation: object;
  /** Set once the proof was accepted. */
  verified?: VerifiedOtp;
  /** Set when the proof may be given back if the action never runs. */
  spent?: SpentProof;
  /** Set when the handler started: from then on the proof stays spent. */
  started?: boolean;
}

const marks = new WeakMap<object, ProofMark>();

/** What a GraphQL resolver's context argument may carry the request in. */
interface GraphQlContext {
  req?: OtpRequest;
  request?: OtpRequest;
  reply?: { request?: OtpRequest };
}

/**
 * The HTTP request behind an execution context: the request itself for
 * `'http'`, the one the GraphQL context carries (`req`, `request` or
 * `reply.request`, as Apollo and Mercurius put it) for `'graphql'`; `undefined`
 * for any other context, which is never read as HTTP.
 *
 * @internal
 */
export function requestOf(context: ExecutionContext): OtpRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') {
    return context.switchToHttp().getRequest<OtpRequest>();
  }
  if (type === 'graphql') {
    const gql = context.getArgs()[2] as GraphQlContext | undefined;
    return gql?.req ?? gql?.request ?? gql?.reply?.request;
  }
  return undefined;
}

/**
 * One guarded handler invocation: the handler for HTTP (one per request), the
 * field's `info` for GraphQL (each field and alias has its own), the message's
 * arguments for any other transport.
 *
 * @internal
 */
export function invocationOf(context: ExecutionContext): object {
  const type = context.getType<string>();
  if (type === 'http') {
    return context.getHandler();
  }
  const info: unknown = context.getArgs()[3];
  return type === 'graphql' && info !== null && typeof info === 'object' ? info : context.getArgs();
}

/**
 * What a proof is remembered on: the HTTP request (for GraphQL, the one request
 * that carries every field of an operation), else the message's arguments, so
 * that nothing outlives one message on a long-lived socket.
 *
 * @internal
 */
export function holderOf(context: ExecutionContext, request: object | undefined): object {
  const type = context.getType<string>();
  return (type === 'http' || type === 'graphql') && request ? request : context.getArgs();
}

/** @internal */
export function readMark(holder: object | undefined): ProofMark | undefined {
  return holder === undefined ? undefined : marks.get(holder);
}

/** @internal */
export function writeMark(holder: object, mark: ProofMark): void {
  marks.set(holder, mark);
}

/**
 * The proof in a request's two headers, or `undefined` when it has neither.
 *
 * @throws VerifyNowInvalidInputException when one is missing or either is repeated.
 * @internal
 */
export function proofInHeaders(
  request: OtpRequest,
  names: { verificationId: string; code: string },
): OtpProof | undefined {
  const verificationId = request.headers[names.verificationId];
  const code = request.headers[names.code];
  if (verificationId === undefined && code === undefined) {
    return undefined;
  }
  if (typeof verificationId !== 'string' || typeof code !== 'string') {
    throw new VerifyNowInvalidInputException(
      `Send the proof as one ${names.verificationId} header and one ${names.code} header.`,
    );
  }
  return { verificationId: verificationId.trim(), code: code.trim() };
}
