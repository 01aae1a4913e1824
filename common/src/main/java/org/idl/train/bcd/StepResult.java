package org.idl.train.bcd;

import org.idl.linalg.Matrix;

/** A state step's new block and its objective (summed over the block's columns) before and after. */
public record StepResult(Matrix value, double before, double after) {
}
