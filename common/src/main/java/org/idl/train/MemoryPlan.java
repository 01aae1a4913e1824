package org.idl.train;

/**
 * How much memory training needs, estimated from the sizes before it starts, so that a model too
 * large for the machine fails at once with the setting to change rather than in an OutOfMemoryError
 * hours in. Counts the large arrays (8 bytes a number) and their usual copies; the figures are
 * estimates, meant to be within a factor of two.
 *
 * @param hidden       n
 * @param inputs       p', the inputs with the bias row
 * @param outputs      q
 * @param inputDensity the share of the inputs stored: 1 for dense blocks, the nonzero share for sparse ones
 */
public record MemoryPlan(Solver solver, int hidden, int inputs, int outputs, double inputDensity) {

    /** Dense inputs. */
    public MemoryPlan(Solver solver, int hidden, int inputs, int outputs) {
        this(solver, hidden, inputs, outputs, 1);
    }

    /** Numbers in (A, B, C, D). */
    public long parameters() {
        long width = (long) hidden + inputs;
        return hidden * width + outputs * width;
    }

    /**
     * On the driver: the model and its copies; for BCD the Gram matrix of (X; U), (n + p')^2, with
     * the (A,B)-step's and the readout's systems built from it; for the gradient solver Adam's two
     * moments and the partitions' parameters and moments being summed.
     */
    public long driverBytes() {
        long width = (long) hidden + inputs;
        long bcd = 4 * width * width + 8 * hidden * width + 4 * parameters();
        long gradient = 12 * parameters();
        return 8 * switch (solver) {
            case BCD -> bcd;
            case GRADIENT -> gradient;
            case HYBRID -> Math.max(bcd, gradient);
        };
    }

    /**
     * In one task over a block of {@code points} data points: the block (inputs and targets), for BCD
     * its states X and P, the pre-activation Z = B U + A X the recipe keeps between its passes, their
     * temporaries, its share of the Gram matrix and the minibatch schedule's per-epoch matrices, for the gradient
     * solver a copy of the parameters, Adam's moments, a gradient and the average being summed.
     */
    public long taskBytes(long points) {
        long width = (long) hidden + inputs;
        // A sparse entry is a value and an index: 1.5 numbers.
        double stored = inputDensity < 1 ? 1.5 * inputDensity : 1;
        long block = (long) (stored * inputs * points) + (long) outputs * points;
        // The Gram matrix's share and temporaries; in the minibatch schedule every task of a collective
        // epoch also holds the epoch's K, H^-1 and the readout system's inverse (no states then).
        long bcd = block + 7L * hidden * points + 6 * width * width;
        long gradient = block + 8 * parameters() + 4L * hidden * Math.min(points, 4096);
        return 8 * switch (solver) {
            case BCD -> bcd;
            case GRADIENT -> gradient;
            case HYBRID -> Math.max(bcd, gradient);
        };
    }

    /**
     * What one task sends to the driver at the end of a pass: for the gradient solver its parameters
     * and Adam's two moments (the driver averages them), for BCD the Gram matrix of (X; U).
     */
    public long resultBytes() {
        long width = (long) hidden + inputs;
        long bcd = width * width + parameters();
        long gradient = 3 * parameters();
        return 8 * switch (solver) {
            case BCD -> bcd;
            case GRADIENT -> gradient;
            case HYBRID -> Math.max(bcd, gradient);
        };
    }

    /** What dominates, for the error message. */
    public String largest() {
        long width = (long) hidden + inputs;
        String a = "A alone is " + gigabytes(8L * hidden * hidden);
        if (solver == Solver.GRADIENT) {
            return "the parameters are " + gigabytes(8 * parameters()) + ", and Adam keeps two moments of each";
        }
        String gram = "BCD's Gram matrix of (X; U), (n + p + 1)^2 numbers, is " + gigabytes(8 * width * width);
        return 8L * hidden * hidden >= 100_000_000 ? gram + "; " + a : gram;
    }

    public static String gigabytes(long bytes) {
        return String.format("%.1f GB", bytes / 1e9);
    }
}
