/**
 * Byte searches a word at a time, shared by the head decoder and the JSON readers, and the memo that
 * gives repeated text (a model name) its last string again.
 */
package dev.tollgate.core.bytes;
