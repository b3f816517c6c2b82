// A sparkline as inline SVG markup: the server draws it from counters it keeps, no chart library.

const W = 240;
const H = 40;

export function sparklineSvg(name: string, values: readonly number[]): string {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`).join(' ');
  const last = values.at(-1) ?? 0;
  const sum = values.reduce((a, b) => a + b, 0);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" data-chart="${name}" data-sum="${sum}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${name}: ${last} now, at most ${max}">` +
    `<polyline fill="none" points="${points}"/></svg>`
  );
}
