// Shared plumbing for the interop scripts: a JSON request on stdin, a JSON
// result on stdout. Exit status is 0 for every answered request, including
// "not verified" / "could not sign" answers; non-zero only for crashes
// (unreadable request, bug in a script).
//
// Batching: a request of the form {batch: [item, ...], ...defaults} runs the
// script's handler once per item (each item merged over the top-level
// defaults) and answers {results: [result, ...]} in the same order, so one
// Node process can serve many test cases.
import {readFileSync} from 'node:fs';

export function readRequest() {
  const text = readFileSync(0, 'utf8');
  return JSON.parse(text);
}

/** Every message in an Error (or nested `errors` arrays), deduplicated. */
export function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    errorMessages(error.errors, out);
  } else {
    const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    const msg = `${name}${error.message ?? String(error)}`;
    if(!out.includes(msg)) {
      out.push(msg);
    }
  }
  if(error.cause) {
    errorMessages(error.cause, out);
  }
  return out;
}

/**
 * Run `handler(request)` for a single request or each item of a batch and
 * print the JSON answer.
 */
export async function main(handler) {
  let request;
  try {
    request = readRequest();
  } catch(e) {
    process.stderr.write(`bad request on stdin: ${e.stack || e}\n`);
    process.exit(2);
  }
  try {
    let result;
    if(Array.isArray(request.batch)) {
      const {batch, ...defaults} = request;
      result = {results: []};
      for(const item of batch) {
        result.results.push(await handler({...defaults, ...item}));
      }
    } else {
      result = await handler(request);
    }
    process.stdout.write(JSON.stringify(result));
    process.stdout.write('\n');
  } catch(e) {
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
  }
}
