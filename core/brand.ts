// `instanceof` for classes that several bundles each hold a copy of (each CLI command, the AWS code and the
// extension are bundled apart): a copy's instance carries a brand, a symbol from the global registry
// (`Symbol.for`), where identity would fail. For a subclass of a branded class the ordinary prototype test
// still answers, so `instanceof MlflowError` tells an MLflow failure from an AWS one.

/** For a branded class's `static [Symbol.hasInstance]`: `cls` is the class itself, `self` the `this` it was called on. */
export function isBranded(self: Function, cls: Function, brand: symbol, value: unknown): boolean {
  if (self !== cls) return Function.prototype[Symbol.hasInstance].call(self, value);
  return typeof value === 'object' && value !== null && brand in value;
}
