import { Button } from '@mantine/core';
import { useMemo, useState } from 'react';
import { type Line, type Reply, renderReply } from '../lib/resp';

export const FIRST_LINES = 100;
export const MORE_LINES = 500;

/** A reply as redis-cli prints it, long ones cut with "Show more". */
export function ReplyView({ reply, lines: given }: { reply?: Reply; lines?: Line[] }) {
  const lines = useMemo(() => given ?? (reply ? renderReply(reply) : []), [reply, given]);
  const [shown, setShown] = useState(FIRST_LINES);
  const visible = lines.length > shown ? lines.slice(0, shown) : lines;
  return (
    <>
      {visible.map((line, i) => (
        <div key={i} className={`tone-${line.tone}`}>
          {line.text}
        </div>
      ))}
      {lines.length > shown && (
        <Button
          size="compact-xs"
          variant="light"
          mt={4}
          onClick={() => setShown((s) => s + MORE_LINES)}
          aria-label={`Show more: ${lines.length - shown} more lines`}
        >
          Show more ({lines.length - shown} more lines)
        </Button>
      )}
    </>
  );
}
