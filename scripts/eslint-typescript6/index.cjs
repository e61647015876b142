// The folder of the TypeScript 6.0 installed beside this file (see package.json's description).
module.exports = require('node:path').dirname(require.resolve('typescript/package.json'));
