/**
 * @module x509/setup
 * Loads @peculiar/x509 the one way that works: its dependency injection container (tsyringe)
 * needs the `reflect-metadata` polyfill installed before the library's module body runs. ES
 * modules evaluate imports in order, so importing `reflect-metadata` first here, and having every
 * x509 module take the library from this file, guarantees that order. The library is pointed at
 * the platform's WebCrypto (`globalThis.crypto`, in browsers and Node 20 alike).
 */
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(crypto)

export { x509 }
