package insights

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
)

// Settings of the fits' optimiser: Nelder-Mead from a simplex of the
// given size, stopped after nmMaxEvals evaluations or when nmStall major
// iterations in a row improved the best value by no more than
// nmRelative of it plus nmAbsolute.
const (
	nmMaxEvals = 400
	nmStall    = 8
	nmAbsolute = 1e-4
	nmRelative = 1e-6
)

// nelderMead minimises f from x0 and returns the best point of its last
// major iteration and its value, and x0's value (+Inf, no point, when
// f(x0) is not finite). It takes exactly the steps gonum's
// optimize.Minimize takes with optimize.NelderMead{SimplexSize: size},
// an optimize.FunctionConverge of nmAbsolute, nmRelative and nmStall and
// nmMaxEvals evaluations (TestNelderMeadIsGonums holds it to that, bit
// for bit), so the forecasts and their back-tests are the same; but in
// one goroutine: Minimize hands every evaluation between three, and the
// hand-offs cost the back-test as much as its Kalman filters.
func nelderMead(f func([]float64) float64, x0 []float64, size float64) (best []float64, fBest, f0 float64) {
	nm := newSimplex(len(x0), size)
	best, fBest = make([]float64, len(x0)), math.Inf(1)
	loc := append([]float64(nil), x0...)
	evals := 0
	eval := func() (float64, bool) {
		evals++
		return f(loc), evals >= nmMaxEvals
	}
	conv := functionConverge{first: true}
	// major records loc as the best point so far and tells whether to stop.
	major := func(v float64) bool {
		fBest = v
		copy(best, loc)
		return math.IsInf(v, -1) || conv.converged(v)
	}
	f0, stop := eval()
	if stop || math.IsInf(f0, 1) || math.IsNaN(f0) {
		return best, fBest, f0
	}
	if major(f0) {
		return best, fBest, f0
	}
	nm.start(loc, f0)
	for {
		v, stop := eval()
		if stop {
			return best, fBest, f0
		}
		for nm.next(loc, v) {
			// A major iteration: loc holds the best vertex.
			if major(nm.values[0]) {
				return best, fBest, f0
			}
			v = nm.values[0]
		}
	}
}

// functionConverge is gonum's optimize.FunctionConverge.
type functionConverge struct {
	first bool
	best  float64
	iter  int
}

func (c *functionConverge) converged(f float64) bool {
	if c.first {
		c.best, c.first = f, false
		return false
	}
	if f < c.best && c.best-f > nmRelative*math.Max(math.Abs(f), math.Abs(c.best))+nmAbsolute {
		c.best, c.iter = f, 0
		return false
	}
	c.iter++
	return c.iter >= nmStall
}

// Steps of the simplex method, as gonum's NelderMead names them.
const (
	nmInitialize = iota
	nmMajor
	nmReflected
	nmExpanded
	nmContractedOutside
	nmContractedInside
	nmShrink
)

// simplex is gonum's NelderMead with its default coefficients.
type simplex struct {
	size                                     float64
	reflection, expansion, contraction, shrk float64
	vertices                                 [][]float64 // by value, the best first
	values                                   []float64
	centroid                                 []float64 // of all vertices but the worst
	fill, last                               int
	reflected                                []float64
	reflectedValue                           float64
}

func newSimplex(dim int, size float64) *simplex {
	s := &simplex{size: size, reflection: 1, expansion: 1 + 2/float64(dim), contraction: 0.75 - 1/(2*float64(dim)), shrk: 1 - 1/float64(dim),
		values: make([]float64, dim+1), centroid: make([]float64, dim), reflected: make([]float64, dim)}
	if dim == 1 {
		s.expansion, s.contraction, s.shrk = 2, 0.5, 0.5
	}
	for range dim + 1 {
		s.vertices = append(s.vertices, make([]float64, dim))
	}
	return s
}

// start takes x (moved in place to the first point to evaluate) and its
// value as the simplex's first vertex.
func (s *simplex) start(x []float64, v float64) {
	dim := len(x)
	copy(s.vertices[dim], x)
	s.values[dim] = v
	s.fill, s.last = 0, nmInitialize
	x[0] += s.size
}

// next takes the value v of the point x last asked for and moves x to
// the next point to evaluate, except that it reports true, with x the
// best vertex, at a major iteration: the caller may stop there, or call
// next again with the best vertex's value to go on.
func (s *simplex) next(x []float64, v float64) bool {
	dim := len(x)
	switch s.last {
	case nmInitialize:
		s.values[s.fill] = v
		copy(s.vertices[s.fill], x)
		s.fill++
		if s.fill == dim {
			s.sortVertices()
			return s.step(nmMajor, x)
		}
		copy(x, s.vertices[dim])
		x[s.fill] += s.size
		return false
	case nmMajor:
		return s.step(nmReflected, x)
	case nmReflected:
		s.reflectedValue = v
		switch {
		case v >= s.values[0] && v < s.values[dim-1]:
			s.replaceWorst(x, v)
			return s.step(nmMajor, x)
		case v < s.values[0]:
			return s.step(nmExpanded, x)
		case v < s.values[dim]:
			return s.step(nmContractedOutside, x)
		default:
			return s.step(nmContractedInside, x)
		}
	case nmExpanded:
		if v < s.reflectedValue {
			s.replaceWorst(x, v)
		} else {
			s.replaceWorst(s.reflected, s.reflectedValue)
		}
		return s.step(nmMajor, x)
	case nmContractedOutside, nmContractedInside:
		if (s.last == nmContractedOutside && v <= s.reflectedValue) || (s.last == nmContractedInside && v < s.values[dim]) {
			s.replaceWorst(x, v)
			return s.step(nmMajor, x)
		}
		s.fill = 1
		return s.step(nmShrink, x)
	default: // nmShrink
		copy(s.vertices[s.fill], x)
		s.values[s.fill] = v
		s.fill++
		if s.fill != dim+1 {
			return s.step(nmShrink, x)
		}
		s.sortVertices()
		return s.step(nmMajor, x)
	}
}

// step moves x to the point of step iter; a major iteration puts the
// best vertex there and reports true.
func (s *simplex) step(iter int, x []float64) bool {
	s.last = iter
	dim := len(x)
	switch iter {
	case nmMajor:
		copy(x, s.vertices[0])
		return true
	case nmShrink:
		floats.SubTo(x, s.vertices[s.fill], s.vertices[0])
		floats.Scale(s.shrk, x)
		floats.Add(x, s.vertices[0])
		return false
	}
	scale := -s.contraction // nmContractedInside
	switch iter {
	case nmReflected:
		scale = s.reflection
	case nmExpanded:
		scale = s.reflection * s.expansion
	case nmContractedOutside:
		scale = s.reflection * s.contraction
	}
	floats.SubTo(x, s.centroid, s.vertices[dim])
	floats.Scale(scale, x)
	floats.Add(x, s.centroid)
	if iter == nmReflected {
		copy(s.reflected, x)
	}
	return false
}

func (s *simplex) replaceWorst(x []float64, v float64) {
	dim := len(x)
	copy(s.vertices[dim], x)
	s.values[dim] = v
	for i := dim - 1; i >= 0 && s.values[i] >= v; i-- {
		s.vertices[i], s.vertices[i+1] = s.vertices[i+1], s.vertices[i]
		s.values[i], s.values[i+1] = s.values[i+1], s.values[i]
	}
	floats.AddScaled(s.centroid, -1/float64(dim), s.vertices[dim])
	floats.AddScaled(s.centroid, 1/float64(dim), x)
}

// sortVertices sorts the vertices by value as gonum does (sort.Sort, not
// stable: ties must fall the same way) and computes their centroid.
func (s *simplex) sortVertices() {
	sort.Sort(byValue{s.vertices, s.values})
	dim := len(s.centroid)
	for i := range s.centroid {
		s.centroid[i] = 0
	}
	for _, vertex := range s.vertices[:dim] {
		for j, v := range vertex {
			s.centroid[j] += v
		}
	}
	for i := range s.centroid {
		s.centroid[i] /= float64(dim)
	}
}

type byValue struct {
	vertices [][]float64
	values   []float64
}

func (b byValue) Len() int           { return len(b.values) }
func (b byValue) Less(i, j int) bool { return b.values[i] < b.values[j] }
func (b byValue) Swap(i, j int) {
	b.values[i], b.values[j] = b.values[j], b.values[i]
	b.vertices[i], b.vertices[j] = b.vertices[j], b.vertices[i]
}
