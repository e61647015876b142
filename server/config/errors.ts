// A setting that cannot be used: thrown at start with a message naming the variable or flag.
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
