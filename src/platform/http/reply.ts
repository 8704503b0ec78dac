export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export const ok = <T>(data: T) => ({ success: true as const, data });

export function paginated<T>(data: T[], page: number, pageSize: number, total: number) {
  const pagination: Pagination = { page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
  return { success: true as const, data, pagination };
}

export const toIso = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();
