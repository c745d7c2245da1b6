/**
 * Typed errors thrown by services; `ErrorFilter` maps them to HTTP responses in one place.
 * The message is the plain-text response body (the protocol names some exact texts).
 */
export abstract class SogsError extends Error {
  abstract readonly status: number;
}

export class BadRequest extends SogsError {
  readonly status = 400;
  constructor(message = 'Bad request') {
    super(message);
  }
}

export class Unauthorized extends SogsError {
  readonly status = 401;
  constructor(message = 'X-SOGS-* request authentication required') {
    super(message);
  }
}

export class Forbidden extends SogsError {
  readonly status = 403;
  constructor(message = 'Forbidden') {
    super(message);
  }
}

export class NotFound extends SogsError {
  readonly status = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}

export class NotAcceptable extends SogsError {
  readonly status = 406;
  constructor(message = 'Not acceptable') {
    super(message);
  }
}

export class Gone extends SogsError {
  readonly status = 410;
  constructor(message = 'Gone') {
    super(message);
  }
}

export class PayloadTooLarge extends SogsError {
  readonly status = 413;
  constructor(message = 'Payload too large') {
    super(message);
  }
}

export class TooEarly extends SogsError {
  readonly status = 425;
  constructor(message: string) {
    super(message);
  }
}

export class RateLimited extends SogsError {
  readonly status = 429;
  constructor(message = 'Rate limited') {
    super(message);
  }
}

export class ServiceUnavailable extends SogsError {
  readonly status = 503;
  constructor(message = 'Service unavailable') {
    super(message);
  }
}

/** A rule violated by an operator command (CLI) or request that names something invalid. */
export class InvalidInput extends BadRequest {}
