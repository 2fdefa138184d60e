/** The proto (snake_case) name of a ts-proto field: "tickSize" → "tick_size". */
export const protoFieldName = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
