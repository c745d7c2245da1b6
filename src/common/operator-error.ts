/**
 * A problem the operator can fix (configuration, data directory, key file, database), printed as
 * one readable line without a stack trace when the server or the CLI cannot start.
 */
export class OperatorError extends Error {}
