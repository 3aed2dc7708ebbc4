// The graphql-http audit suite (its serverAudits) against a running Roster.
// Usage: node audit.mjs <url of /graphql> ; the API key comes from ROSTER_AUDIT_KEY (never
// on the command line). Prints one JSON array: {id, name, status, reason} per audit.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const key = process.env.ROSTER_AUDIT_KEY;
if (!url || !key) {
  console.error('usage: ROSTER_AUDIT_KEY=<key> node audit.mjs <url>');
  process.exit(2);
}

// Every audit request carries the key, as any real client's would.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
  });
}
console.log(JSON.stringify(results));
