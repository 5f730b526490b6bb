// Reads vega-datasets' flights-3m.parquet (ZSTD pages) with hyparquet and fzstd and writes its
// rows as float32 [rows, 8]: delayed (delay > 15 minutes), month, day of month, day of week
// (0 = Sunday), departure hour (minutes as a fraction), distance (miles), origin and
// destination as codes (their rank among all airports' names, sorted).
// usage: node flights_columns.mjs HYPARQUET_DIR FZSTD_DIR PARQUET OUT.f32
const [hyparquetDir, fzstdDir, parquet, out] = process.argv.slice(2)
const { parquetReadObjects, asyncBufferFromFile } = await import(`${hyparquetDir}/src/node.js`)
const { decompress } = await import(`${fzstdDir}/esm/index.mjs`)
const fs = await import('node:fs')

const file = await asyncBufferFromFile(parquet)
const compressors = { ZSTD: (input, outputLength) => decompress(input, new Uint8Array(outputLength)) }
const rows = await parquetReadObjects({ file, compressors })
const airports = [...new Set(rows.flatMap(row => [row.origin, row.destination]))].sort()
const code = new Map(airports.map((name, index) => [name, index]))
const values = new Float32Array(rows.length * 8)
rows.forEach((row, i) => {
  const date = row.date
  values.set([Number(row.delay) > 15 ? 1 : 0, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay(),
              date.getUTCHours() + date.getUTCMinutes() / 60, Number(row.distance), code.get(row.origin),
              code.get(row.destination)], i * 8)
})
fs.writeFileSync(out, Buffer.from(values.buffer))
console.log(`${rows.length} flights, ${airports.length} airports -> ${out}`)
