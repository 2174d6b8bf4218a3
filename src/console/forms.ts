// The console's forms: a field that cannot be read is a 400 saying why, and a refusal of what a form sent is shown on the form again.
import createError from '@fastify/error'

/** A form field the console cannot read (a time, a duration, a header line, a document): the page says why. */
export const FormError = createError<[string]>('CM_CONSOLE_BAD_FORM', '%s', 400)

/**
 * Whether an error is a client error of one of these statuses: a form's own (FormError) or the
 * service's refusal of what the form sent (a bad document 400, a taken name 409), shown beside the
 * form rather than as an error page.
 */
export function isRefusal (err: unknown, ...statuses: number[]): err is Error & { statusCode: number } {
  return err instanceof Error && 'statusCode' in err && typeof err.statusCode === 'number' && statuses.includes(err.statusCode)
}
