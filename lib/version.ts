declare const __HACLOUD_VERSION__: string | undefined;

// Set at bundle time from package.json and git; "dev" when run from source.
export const VERSION: string = typeof __HACLOUD_VERSION__ === 'string' ? __HACLOUD_VERSION__ : 'dev';
