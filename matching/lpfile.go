package matching

import (
	"bufio"
	"fmt"
	"io"
)

// The LP file states the same problem as SolveFlow, as an integer
// program any MILP solver reads:
//
//	maximise   Σ_e (FillBonus + Score_e)·x_e − Σ_i Σ_t Congestion·(Load_i + t)·y_it
//	subject to Σ_{e into order j} x_e ≤ Seats_j            for every order j
//	           Σ_{e at learner i} x_e − Σ_t y_it = 0       for every learner i
//	           x_e, y_it ∈ {0, 1},  t = 0 … Slots_i − 1
//
// y_it says the learner takes a t-th extra order; since its cost rises with
// t, an optimum uses the cheap ones first, so the sum is the convex
// congestion cost. The constraint matrix is a network matrix, so the LP
// relaxation already has an integral optimum.

// WriteLP writes p in CPLEX LP format (read by CBC, GLPK, HiGHS).
func WriteLP(w io.Writer, p *Problem) error {
	if err := p.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "\\ talentloop gig-order assignment")
	fmt.Fprintln(bw, "Maximize")
	bw.WriteString(" obj:")
	terms := 0
	term := func(coef int64, name string, idx ...int) {
		if terms > 0 && terms%8 == 0 {
			bw.WriteString("\n ")
		}
		terms++
		if coef >= 0 {
			fmt.Fprintf(bw, " + %d ", coef)
		} else {
			fmt.Fprintf(bw, " - %d ", -coef)
		}
		writeVar(bw, name, idx...)
	}
	for e, ed := range p.Edges {
		term(p.FillBonus+ed.Score, "x", e)
	}
	for i, l := range p.Learners {
		for t := 0; t < l.Slots; t++ {
			if c := p.Congestion * int64(l.Load+t); c != 0 {
				term(-c, "y", i, t)
			}
		}
	}
	if terms == 0 {
		bw.WriteString(" 0 x0")
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "Subject To")
	byOrder, byLearner := incidence(p)
	for j, o := range p.Orders {
		if len(byOrder[j]) == 0 {
			continue
		}
		fmt.Fprintf(bw, " o%d:", j)
		terms = 0
		for _, e := range byOrder[j] {
			term(1, "x", int(e))
		}
		fmt.Fprintf(bw, " <= %d\n", o.Seats)
	}
	for i, l := range p.Learners {
		if len(byLearner[i]) == 0 {
			continue
		}
		fmt.Fprintf(bw, " l%d:", i)
		terms = 0
		for _, e := range byLearner[i] {
			term(1, "x", int(e))
		}
		for t := 0; t < l.Slots; t++ {
			term(-1, "y", i, t)
		}
		fmt.Fprintln(bw, " = 0")
	}
	fmt.Fprintln(bw, "Binaries")
	n := 0
	sep := func() {
		n++
		if n%10 == 0 {
			bw.WriteString("\n")
		}
	}
	for e := range p.Edges {
		bw.WriteString(" ")
		writeVar(bw, "x", e)
		sep()
	}
	for i, l := range p.Learners {
		if len(byLearner[i]) == 0 {
			continue
		}
		for t := 0; t < l.Slots; t++ {
			bw.WriteString(" ")
			writeVar(bw, "y", i, t)
			sep()
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "End")
	return bw.Flush()
}

func writeVar(bw *bufio.Writer, name string, idx ...int) {
	bw.WriteString(name)
	for k, i := range idx {
		if k > 0 {
			bw.WriteByte('_')
		}
		fmt.Fprint(bw, i)
	}
}

// incidence lists edge indices by order and by learner.
func incidence(p *Problem) (byOrder, byLearner [][]int32) {
	byOrder = make([][]int32, len(p.Orders))
	byLearner = make([][]int32, len(p.Learners))
	for e, ed := range p.Edges {
		byOrder[ed.Order] = append(byOrder[ed.Order], int32(e))
		byLearner[ed.Learner] = append(byLearner[ed.Learner], int32(e))
	}
	return byOrder, byLearner
}
