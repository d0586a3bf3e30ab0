import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

/** The signed-in user, as a real authentication guard would attach it. */
export interface DemoUser {
  id: string;
  /** E.164: where step-up codes go. */
  phoneNumber: string;
}

export interface DemoRequest {
  user?: DemoUser;
}

/**
 * Stands in for authentication (a JWT or session guard): every request is
 * signed in as one demo user, whose phone is `DEMO_PHONE_NUMBER` or
 * +919999900001.
 */
@Injectable()
export class DemoUserGuard implements CanActivate {
  private readonly user: DemoUser = {
    id: 'demo',
    phoneNumber: process.env.DEMO_PHONE_NUMBER ?? '+919999900001',
  };

  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest<DemoRequest>().user = this.user;
    return true;
  }
}
