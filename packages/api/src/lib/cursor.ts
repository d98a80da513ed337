/** The rows after `cursor` in a newest-first list ordered by creation time, then id. */
export function olderThan(cursor: { createdAt: Date; id: string } | undefined | null) {
  if (!cursor) return {};
  return {
    $or: [
      { createdAt: { $lt: cursor.createdAt } },
      { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
    ],
  };
}
