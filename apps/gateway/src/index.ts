// The gateway's public surface for the all-in-one platform (which composes app modules).
export { GatewayModule, type GatewayModuleOptions } from './gateway.module';
export { EVENT_INTAKE, IntakeUnavailableError, type EventIntake, type IntakeReceipt } from './intake/event-intake.port';
export { gatewayErrorToProblem, GatewayError, GatewayErrorCode } from './gateway.errors';
export { registerJsonBodyParser } from './http/json-body-parser';
