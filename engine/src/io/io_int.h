/* io_int.h - pieces shared by io_write.c and io_read.c: the HDF5 error
 * text and the UTF-8 string type. Only the io module includes hdf5.h. */
#ifndef TYCHE_IO_INT_H
#define TYCHE_IO_INT_H

#include <hdf5.h>
#include <stddef.h>

/* Copies the most specific message of HDF5's current error stack into buf
 * ("" when there is none) and clears the stack. */
void io_h5_error(char *buf, size_t size);

/* A new variable-length UTF-8 string type, or a negative id; the caller
 * closes it with H5Tclose. */
hid_t io_str_type(void);

/* Turns HDF5's automatic error printing off for this thread's default
 * stack (the library never prints). */
void io_quiet(void);

#endif
