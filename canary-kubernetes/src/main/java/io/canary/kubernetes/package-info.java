/** Canary SDK kubernetes module. */
package io.canary.kubernetes;
