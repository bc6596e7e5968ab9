/* The C global that Remember stores into. */
void *last_ctx;
