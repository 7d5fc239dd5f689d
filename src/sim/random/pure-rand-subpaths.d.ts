// pure-rand 8 publishes only subpath `exports`, which this project's `moduleResolution: node`
// does not read; point the type checker at the same files Node loads at run time.
declare module 'pure-rand/distribution/uniformFloat64' {
  export * from 'pure-rand/lib/distribution/uniformFloat64';
}
declare module 'pure-rand/distribution/uniformInt' {
  export * from 'pure-rand/lib/distribution/uniformInt';
}
declare module 'pure-rand/generator/xoroshiro128plus' {
  export * from 'pure-rand/lib/generator/xoroshiro128plus';
}
declare module 'pure-rand/types/JumpableRandomGenerator' {
  export * from 'pure-rand/lib/types/JumpableRandomGenerator';
}
