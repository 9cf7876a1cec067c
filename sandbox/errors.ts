// Monday's application errors: HTTP 200, one `errors[]` entry with extensions { code, status_code, error_data }.
// doc: error-handling ("200 – OK for application-level errors", the 2024-10+ errors array); recording:
// test/fixtures/monday/invalid-board-id.json and subgraph-throttle-partial-data.json (mondaycom/mcp).
import { GraphQLError } from 'graphql';

export function mondayError(code: string, message: string, errorData: Record<string, unknown> = {}, statusCode = 200): GraphQLError {
  return new GraphQLError(message, { extensions: { code, status_code: statusCode, error_data: errorData } });
}

/** A transport-level error body (401, 409, 429, 500): `{"errors":[{"message", "extensions"}]}`. */
export function errorBody(message: string, extensions: Record<string, unknown>, requestId: string): string {
  return JSON.stringify({ errors: [{ message, extensions }], extensions: { request_id: requestId } });
}
