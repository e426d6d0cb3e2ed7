import { SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useId, useState } from 'react';
import { MIB, formatBytes, parseMemory } from '../../lib/format';

export const PRESETS = [16, 40, 64, 128, 256].map((mb) => ({ label: `${mb} MB`, value: String(mb * MIB) }));

/** Memory: presets plus a custom size ("100mb", "64Mi", bytes). Calls onChange with bytes or null. */
export function MemoryInput({
  value,
  onChange,
  max,
  label = 'Memory limit',
}: {
  value: number | null;
  onChange: (bytes: number | null) => void;
  max?: number;
  label?: string;
}) {
  const labelId = useId();
  const isPreset = value !== null && PRESETS.some((p) => Number(p.value) === value);
  const [custom, setCustom] = useState(!isPreset && value !== null);
  const [text, setText] = useState(value !== null && !isPreset ? formatBytes(value).replace(' ', '').toLowerCase() : '');
  const parsed = parseMemory(text);
  const error =
    custom && text
      ? parsed === null
        ? 'Use a size such as 100mb, 64Mi or 1gb'
        : parsed < MIB
          ? 'At least 1 MB'
          : max !== undefined && parsed > max
            ? `At most ${formatBytes(max)} here`
            : null
      : null;
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500} id={labelId}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        data={[...PRESETS.map((p) => ({ ...p, disabled: max !== undefined && Number(p.value) > max })), { label: 'Custom', value: 'custom' }]}
        value={custom ? 'custom' : value !== null ? String(value) : ''}
        onChange={(v) => {
          if (v === 'custom') {
            setCustom(true);
            onChange(parsed);
          } else {
            setCustom(false);
            onChange(Number(v));
          }
        }}
        fullWidth
      />
      {custom && (
        <TextInput
          label="Custom size"
          placeholder="e.g. 100mb or 64Mi"
          value={text}
          error={error}
          onChange={(e) => {
            const next = e.currentTarget.value;
            setText(next);
            const bytes = parseMemory(next);
            onChange(bytes !== null && bytes >= MIB ? bytes : null);
          }}
        />
      )}
    </Stack>
  );
}
