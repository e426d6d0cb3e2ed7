import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../lib/resp';
import { FIRST_LINES, MORE_LINES, ReplyView } from './ReplyView';

const big = (n: number): Reply => ({ type: 'array', items: Array.from({ length: n }, (_, i) => ({ type: 'string', value: `v${i}` })) });

describe('ReplyView', () => {
  it('shows the first lines of a long reply and more on request', () => {
    render(
      <MantineProvider>
        <ReplyView reply={big(FIRST_LINES + MORE_LINES + 50)} />
      </MantineProvider>,
    );
    expect(screen.getByText(`${FIRST_LINES}) "v${FIRST_LINES - 1}"`)).toBeInTheDocument();
    expect(screen.queryByText(`${FIRST_LINES + 1}) "v${FIRST_LINES}"`)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /Show more: 550 more lines/ }));
    expect(screen.getByText(`${FIRST_LINES + 1}) "v${FIRST_LINES}"`)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /Show more: 50 more lines/ }));
    expect(screen.queryByRole('button', { name: /Show more/ })).toBeNull();
  });

  it('colours errors', () => {
    render(
      <MantineProvider>
        <ReplyView reply={{ type: 'error', value: 'WRONGTYPE Operation against a key holding the wrong kind of value' }} />
      </MantineProvider>,
    );
    expect(screen.getByText(/^\(error\) WRONGTYPE/)).toHaveClass('tone-error');
  });
});
