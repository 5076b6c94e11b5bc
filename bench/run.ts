// `npm run bench` — benchmarks write bench/results.json ([{ name, value, unit, reference?, ratio? }]).
// The national-scale scoring benchmark comes with the index engine (issue 3).
console.log('no benchmarks yet');
