import { Table } from '@mantine/core';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';

/** What a virtual row must put on its `<tr>`: `ref` (measures its real height) and the index. */
export interface VirtualRowProps {
  measure: (element: Element | null) => void;
  index: number;
}

/**
 * A table body that mounts only the rows near the viewport (the page scrolls, not the table), with
 * spacer rows above and below so the scroll height stays that of every row. Hundreds of instances
 * cost what a screenful costs. The table should carry `aria-rowcount` (rows + header) and each row
 * `aria-rowindex` so assistive technology still knows the full size.
 */
export function VirtualTbody<T>({
  items,
  getKey,
  renderRow,
  estimate,
  colSpan,
}: {
  items: T[];
  getKey: (item: T) => string;
  renderRow: (item: T, row: VirtualRowProps) => ReactNode;
  estimate: number;
  colSpan: number;
}) {
  const body = useRef<HTMLTableSectionElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const top = (body.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (Math.abs(top - margin) > 1) setMargin(top);
  });
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => estimate,
    overscan: 8,
    scrollMargin: margin,
    getItemKey: (index) => getKey(items[index]),
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows.length ? rows[0].start - margin : 0;
  const after = rows.length ? virtualizer.getTotalSize() - (rows[rows.length - 1].end - margin) : 0;
  return (
    <Table.Tbody ref={body}>
      {before > 0 && <Spacer height={before} colSpan={colSpan} />}
      {rows.map((row) => renderRow(items[row.index], { measure: virtualizer.measureElement, index: row.index }))}
      {after > 0 && <Spacer height={after} colSpan={colSpan} />}
    </Table.Tbody>
  );
}

function Spacer({ height, colSpan }: { height: number; colSpan: number }) {
  return (
    <tr aria-hidden="true" style={{ height }}>
      <td colSpan={colSpan} style={{ padding: 0, border: 0 }} />
    </tr>
  );
}
