import type { ReactNode } from 'react';

/** A column heading; `{ hidden }` names a column for assistive technology only (actions). */
type Column = string | { hidden: string };

/** A table of rows, scrolling sideways on a narrow screen rather than squeezing. */
export function Table({ columns, children }: { columns: Column[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.hidden}>
                  <span className="visually-hidden">{column.hidden}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
