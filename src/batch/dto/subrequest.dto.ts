import { Transform } from 'class-transformer';
import { Allow, IsIn, IsObject, IsString, Matches, ValidateBy, ValidateIf, ValidationArguments } from 'class-validator';
import { Checks, IsBase64Bytes, Rule } from '../../common/validation/validation.decorators';

const METHODS = ['GET', 'DELETE', 'POST', 'PUT'];
const BODY_KEYS = ['json', 'b64', 'bytes'] as const;

/** Every text names the failing element: `$index` becomes its position in the list. */
const bad = (what: string) => `Invalid request: subrequest $index: ${what}`;

/**
 * One element of a /batch or /sequence body (§5): `method`, `path` (may hold `?query`), optional
 * string `headers`, and for POST/PUT exactly one body: `json` (any JSON value), `b64` or `bytes`.
 */
export class SubrequestDto {
  @IsIn(METHODS, { message: bad('method must be GET, DELETE, POST or PUT') })
  method!: string;

  @Checks(IsString({ message: bad('path must be a string starting with /') }), Matches(/^\//, { message: bad('path must be a string starting with /') }))
  path!: string;

  @Checks(
    ValidateIf((o: SubrequestDto) => o.headers !== undefined),
    IsObject({ message: bad('headers must be an object') }),
    ValidateBy(
      { name: 'stringValues', validator: { validate: (h: object) => Object.values(h).every((v) => typeof v === 'string') } },
      { message: bad('header values must be strings') },
    ),
  )
  headers?: Record<string, string>;

  /** Checked before the body keys' own values. */
  @Rule((args: ValidationArguments) => {
    const { method } = args.object as SubrequestDto;
    return bad(method === 'GET' || method === 'DELETE' ? `${method} must not have a body` : `${method} needs exactly one of json, b64, bytes`);
  })
  protected get hasRightBody(): boolean {
    const given = BODY_KEYS.filter((k) => this[k] !== undefined).length;
    return this.method === 'GET' || this.method === 'DELETE' ? given === 0 : given === 1;
  }

  /** Forwarded as parsed, not as class-transformer's copy. */
  @Allow()
  @Transform(({ obj }: { obj: { json?: unknown } }) => obj.json)
  json?: unknown;

  @Checks(ValidateIf((o: SubrequestDto) => o.b64 !== undefined), IsBase64Bytes(null, { message: bad('b64 is not valid base64') }))
  b64?: string;

  @Checks(ValidateIf((o: SubrequestDto) => o.bytes !== undefined), IsString({ message: bad('bytes must be a string') }))
  bytes?: string;
}
