/** Canary SDK testing module. */
package io.canary.testing;
