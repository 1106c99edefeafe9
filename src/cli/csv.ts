// CSV output: fields quoted as RFC 4180 says (a file name with a comma stays one field).

/** A CSV field, quoted when it holds a comma, quote or line break. */
export function csvField(v: string | number): string {
  const t = String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
